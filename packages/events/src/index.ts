export { type AlertInput, alertIdFor, certificateRefFromEntry, newAlert } from "./alert-factory.js";
export {
  allEvents,
  type EventCategory,
  type EventDefinition,
  EventId,
  eventDefinition,
  isKnownEvent,
} from "./catalogue.js";
