// Command ferretdb-ctwatch runs an embedded FerretDB v1 (SQLite backend) as a
// local MongoDB-wire server for ctwatch development and tests.
//
// It is built and started by scripts/infra/install.sh and scripts/infra/up.sh.
// It listens on -listen-addr, keeps its data in -sqlite-dir and stops cleanly
// on SIGTERM or SIGINT. Once the listener is bound it logs a line containing
// "ferretdb-ctwatch ready", which up.sh waits for.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

const ferretModule = "github.com/FerretDB/FerretDB"

func ferretVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == ferretModule {
				return d.Version
			}
		}
	}
	return "unknown"
}

func main() {
	listenAddr := flag.String("listen-addr", "127.0.0.1:27027", "TCP address to listen on")
	sqliteDir := flag.String("sqlite-dir", "", "directory holding the SQLite databases (required)")
	sqliteParams := flag.String("sqlite-params", "", `extra SQLite URI query, e.g. "_pragma=synchronous(normal)"`)
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn or error")
	version := flag.Bool("version", false, "print the FerretDB version and exit")
	flag.Parse()

	if *version {
		fmt.Println(ferretVersion())
		return
	}

	if err := run(*listenAddr, *sqliteDir, *sqliteParams, *logLevel); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-ctwatch: error: %v\n", err)
		os.Exit(1)
	}
}

func run(listenAddr, sqliteDir, sqliteParams, logLevel string) error {
	if sqliteDir == "" {
		return errors.New("-sqlite-dir is required")
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("bad -log-level %q: %w", logLevel, err)
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	dir, err := filepath.Abs(sqliteDir)
	if err != nil {
		return err
	}

	if err = os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	sqliteURL := "file:" + filepath.ToSlash(dir) + "/"
	if sqliteParams != "" {
		sqliteURL += "?" + sqliteParams
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listenAddr},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		return fmt.Errorf("starting FerretDB on %s: %w", listenAddr, err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	done := make(chan struct{})

	go func() {
		defer close(done)

		_ = f.Run(ctx)
	}()

	// MongoDBURI blocks until the TCP listener is ready.
	uri := f.MongoDBURI()

	// Written to stderr regardless of -log-level: up.sh waits for this line.
	fmt.Fprintf(os.Stderr, "%s ferretdb-ctwatch ready: FerretDB %s listening on %s (uri %s, sqlite dir %s, pid %d)\n",
		time.Now().Format(time.RFC3339), ferretVersion(), listenAddr, uri, dir, os.Getpid())

	<-ctx.Done()
	stop()

	fmt.Fprintf(os.Stderr, "%s ferretdb-ctwatch: signal received, shutting down\n", time.Now().Format(time.RFC3339))

	select {
	case <-done:
	case <-time.After(20 * time.Second):
		return errors.New("timed out waiting for connections to close")
	}

	fmt.Fprintf(os.Stderr, "%s ferretdb-ctwatch: stopped\n", time.Now().Format(time.RFC3339))

	return nil
}
