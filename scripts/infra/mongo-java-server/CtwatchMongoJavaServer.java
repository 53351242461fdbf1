// Launcher of the optional mongo-java-server backend (CTWATCH_MONGO_IMPL=mongo-java-server)
// used by scripts/infra/up.sh: CtwatchMongoJavaServer HOST PORT H2_FILE.
// Data persists in H2_FILE (H2 MVStore). Logs "mongo-java-server ready" once listening;
// SIGTERM/SIGINT shut it down cleanly.
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

public final class CtwatchMongoJavaServer {
    private CtwatchMongoJavaServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: CtwatchMongoJavaServer HOST PORT H2_FILE");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        Path file = Path.of(args[2]).toAbsolutePath();
        Files.createDirectories(file.getParent());

        MongoServer server = new MongoServer(new H2Backend(file.toString()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("mongo-java-server: shutting down");
            server.shutdown();
            stopped.countDown();
        }));
        server.bind(host, port);
        System.err.printf("mongo-java-server ready: listening on %s:%d (H2 file %s, pid %d)%n",
                host, port, file, ProcessHandle.current().pid());
        stopped.await();
    }
}
