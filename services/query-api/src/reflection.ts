import { type DescFile, type DescService, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { ReflectionService } from "@grpc/reflection";
import { healthFileDescriptor } from "./health-descriptor.js";

type PackageDefinition = ConstructorParameters<typeof ReflectionService>[0];

function collect(file: DescFile, into: Map<string, DescFile>): void {
  if (into.has(file.name)) return;
  into.set(file.name, file);
  for (const dep of file.dependencies) collect(dep, into);
}

/**
 * Server reflection (grpc.reflection.v1 and v1alpha, so grpcurl and similar
 * tools work without .proto files) over the API's protobuf-es descriptors and
 * the health service's (see `healthFileDescriptor`). @grpc/reflection indexes serialized
 * FileDescriptorProtos; protobuf-es embeds each file's descriptor, so the
 * services' files and their imports are serialized as they are.
 */
export function reflectionService(services: readonly DescService[]): ReflectionService {
  const files = new Map<string, DescFile>();
  for (const s of services) collect(s.file, files);
  const fileDescriptorProtos = [...files.values()].map((f) =>
    Buffer.from(toBinary(FileDescriptorProtoSchema, f.proto)),
  );
  const definition = {
    "ctwatch.api": { format: "Protocol Buffer 3 DescriptorProto", type: {}, fileDescriptorProtos },
    "grpc.health.v1": {
      format: "Protocol Buffer 3 DescriptorProto",
      type: {},
      fileDescriptorProtos: [healthFileDescriptor()],
    },
  } as unknown as PackageDefinition;
  return new ReflectionService(definition, {
    services: [...services.map((s) => s.typeName), "grpc.health.v1.Health"],
  });
}
