import { create, toBinary } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";

const { OPTIONAL, REPEATED } = FieldDescriptorProto_Label;
const { STRING, ENUM, MESSAGE } = FieldDescriptorProto_Type;

/**
 * `grpc/health/v1/health.proto` (grpc/grpc-proto, Apache-2.0) as a serialized
 * FileDescriptorProto, for server reflection. Built here because the
 * descriptor protobufjs derives from grpc-health-check's copy names the map
 * entry of `HealthListResponse.statuses` in a way Go's protobuf (grpcurl)
 * rejects ("incorrect implicit map entry name").
 */
export function healthFileDescriptor(): Buffer {
  const file = create(FileDescriptorProtoSchema, {
    name: "grpc/health/v1/health.proto",
    package: "grpc.health.v1",
    syntax: "proto3",
    messageType: [
      { name: "HealthListRequest" },
      {
        name: "HealthListResponse",
        field: [
          {
            name: "statuses",
            number: 1,
            label: REPEATED,
            type: MESSAGE,
            typeName: ".grpc.health.v1.HealthListResponse.StatusesEntry",
            jsonName: "statuses",
          },
        ],
        nestedType: [
          {
            name: "StatusesEntry",
            field: [
              { name: "key", number: 1, label: OPTIONAL, type: STRING, jsonName: "key" },
              {
                name: "value",
                number: 2,
                label: OPTIONAL,
                type: MESSAGE,
                typeName: ".grpc.health.v1.HealthCheckResponse",
                jsonName: "value",
              },
            ],
            options: { mapEntry: true },
          },
        ],
      },
      {
        name: "HealthCheckRequest",
        field: [{ name: "service", number: 1, label: OPTIONAL, type: STRING, jsonName: "service" }],
      },
      {
        name: "HealthCheckResponse",
        field: [
          {
            name: "status",
            number: 1,
            label: OPTIONAL,
            type: ENUM,
            typeName: ".grpc.health.v1.HealthCheckResponse.ServingStatus",
            jsonName: "status",
          },
        ],
        enumType: [
          {
            name: "ServingStatus",
            value: [
              { name: "UNKNOWN", number: 0 },
              { name: "SERVING", number: 1 },
              { name: "NOT_SERVING", number: 2 },
              { name: "SERVICE_UNKNOWN", number: 3 },
            ],
          },
        ],
      },
    ],
    service: [
      {
        name: "Health",
        method: [
          {
            name: "Check",
            inputType: ".grpc.health.v1.HealthCheckRequest",
            outputType: ".grpc.health.v1.HealthCheckResponse",
          },
          {
            name: "Watch",
            inputType: ".grpc.health.v1.HealthCheckRequest",
            outputType: ".grpc.health.v1.HealthCheckResponse",
            serverStreaming: true,
          },
          {
            name: "List",
            inputType: ".grpc.health.v1.HealthListRequest",
            outputType: ".grpc.health.v1.HealthListResponse",
          },
        ],
      },
    ],
  });
  return Buffer.from(toBinary(FileDescriptorProtoSchema, file));
}
