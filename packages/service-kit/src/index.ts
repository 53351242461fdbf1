export {
  type OpenKafkaOptions,
  openDatabase,
  openKafka,
  type ServiceBase,
  serveHealth,
  serviceBase,
} from "./service-base.js";
