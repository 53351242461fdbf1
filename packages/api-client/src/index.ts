/**
 * @ctwatch/api-client: the ctwatch gRPC API over @grpc/grpc-js with the
 * protobuf-es contracts, for the CLI, tests and internal tools.
 *
 *   createApiClient({ url, token }) ==> client.alerts.listAlerts({...}) ==> AlertRecord[]
 */
export { ApiCallError, toApiCallError } from "./api-call-error.js";
export {
  type ApiClient,
  type ApiClientOptions,
  type CallOptions,
  createApiClient,
  parseApiUrl,
  type ServiceClient,
} from "./api-client.js";
export { type GrpcDefinitionOptions, grpcServiceDefinition } from "./grpc-service-definition.js";
export { decodeHealthCheckResponse, encodeHealthCheckRequest, type ServingStatus } from "./health-codec.js";
