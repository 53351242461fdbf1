/**
 * @ctwatch/ct-testlog: local CT logs for tests, the demo and benchmarks. One server speaks
 * static-ct-api and RFC 6962 over the same entries (real fixture tiles, replayed templates, or
 * generated certificates), with fault injection and misbehaving tree heads.
 */
export { CertFactory, type CertFactoryOptions, type Issuance } from "./cert-factory.js";
export {
  type EntrySource,
  fixtureTileEntries,
  type GeneratedSource,
  type GeneratedSourceOptions,
  generatedSource,
  listSource,
  replaySource,
} from "./entry-source.js";
export {
  type GeneratedTestLog,
  type GeneratedTestLogOptions,
  startGeneratedTestLog,
} from "./generated-test-log.js";
export {
  encodeExtraData,
  encodeMerkleTreeLeaf,
  encodeTileLeaf,
  encodeTimestampedEntry,
  entryLeafHash,
  leafIndexExtension,
  type StoredEntry,
} from "./log-entry-encoding.js";
export {
  type StaticCtTestLog,
  type StaticCtTestLogOptions,
  startStaticCtTestLog,
} from "./static-ct-test-log.js";
export {
  type InjectedFault,
  type Misbehaviour,
  startTestLog,
  type TestLog,
  type TestLogOptions,
} from "./test-log.js";
export { TiledTree } from "./tiled-tree.js";
