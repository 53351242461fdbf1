export { alertKey, alertPublisher, withEntrySources } from "./alert-publisher.js";
export {
  type OpenKafkaOptions,
  openDatabase,
  openKafka,
  type ServiceBase,
  serveHealth,
  serviceBase,
} from "./service-base.js";
