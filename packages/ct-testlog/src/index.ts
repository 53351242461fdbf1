export {
  type InjectedFault,
  type StaticCtTestLog,
  type StaticCtTestLogOptions,
  startStaticCtTestLog,
} from "./static-ct-test-log.js";
