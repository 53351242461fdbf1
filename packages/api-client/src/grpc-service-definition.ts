import {
  type DescMessage,
  type DescService,
  fromBinary,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";

/** Options of {@link grpcServiceDefinition}. */
export interface GrpcDefinitionOptions {
  /**
   * Leave requests as raw bytes (`Buffer`) instead of decoding them. A server
   * sets this to decode in its handler, where a malformed request can be
   * answered INVALID_ARGUMENT (grpc-js answers INTERNAL when its deserializer throws).
   */
  readonly rawRequests?: boolean;
}

/**
 * The grpc-js definition of a protobuf-es service descriptor: one entry per RPC,
 * keyed by the RPC's proto name (`ListAlerts`), with path `/<package.Service>/<Rpc>`
 * and protobuf-es binary serializers. This is the whole adapter between the
 * generated contracts (protoc-gen-es v2 emits descriptors, not grpc-js stubs)
 * and grpc-js; client and server share it, so both speak exactly the `.proto`.
 */
export function grpcServiceDefinition(
  service: DescService,
  options: GrpcDefinitionOptions = {},
): ServiceDefinition {
  const def: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const m of service.methods) {
    const input: DescMessage = m.input;
    const output: DescMessage = m.output;
    def[m.name] = {
      path: `/${service.typeName}/${m.name}`,
      requestStream: m.methodKind === "client_streaming" || m.methodKind === "bidi_streaming",
      responseStream: m.methodKind === "server_streaming" || m.methodKind === "bidi_streaming",
      requestSerialize: (msg: unknown) => Buffer.from(toBinary(input, msg as MessageShape<DescMessage>)),
      requestDeserialize: options.rawRequests
        ? (buf: Buffer) => buf
        : (buf: Buffer) => fromBinary(input, buf),
      responseSerialize: (msg: unknown) => Buffer.from(toBinary(output, msg as MessageShape<DescMessage>)),
      responseDeserialize: (buf: Buffer) => fromBinary(output, buf),
      originalName: m.localName,
    };
  }
  return def;
}
