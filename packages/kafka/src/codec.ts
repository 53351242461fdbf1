import { type DescMessage, fromBinary, type MessageShape, toBinary } from "@bufbuild/protobuf";

/** A message that could not be decoded: bad protobuf, or too large. Goes to a dead-letter topic. */
export class DecodeError extends Error {
  constructor(
    message: string,
    readonly reason: "too-large" | "empty" | "malformed",
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DecodeError";
  }
}

/** Encodes and decodes one protobuf message type, with a size bound on input. */
export interface Codec<T> {
  readonly typeName: string;
  encode(value: T): Uint8Array;
  /** Throws `DecodeError`; never anything else. */
  decode(bytes: Uint8Array | null | undefined): T;
}

/** A protobuf-es codec for `schema`, refusing inputs larger than `maxBytes` (default 1 MiB). */
export function protoCodec<Desc extends DescMessage>(
  schema: Desc,
  maxBytes = 1 << 20,
): Codec<MessageShape<Desc>> {
  return {
    typeName: schema.typeName,
    encode: (value) => toBinary(schema, value),
    decode(bytes) {
      if (!bytes || bytes.length === 0) throw new DecodeError(`${schema.typeName}: empty message`, "empty");
      if (bytes.length > maxBytes) {
        throw new DecodeError(
          `${schema.typeName}: ${bytes.length} bytes exceeds the ${maxBytes}-byte bound`,
          "too-large",
        );
      }
      try {
        return fromBinary(schema, bytes);
      } catch (cause) {
        throw new DecodeError(
          `${schema.typeName}: malformed protobuf: ${(cause as Error).message}`,
          "malformed",
          {
            cause,
          },
        );
      }
    },
  };
}
