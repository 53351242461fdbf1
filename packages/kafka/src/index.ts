export { createKafka, type KafkaClientOptions } from "./client.js";
export { type Codec, DecodeError, protoCodec } from "./codec.js";
export { type ConsumerOptions, type InRecord, type RunningConsumer, startConsumer } from "./consumer.js";
export { GZIP_OPTIONS, installFastGzip } from "./gzip-codec.js";
export { createProducer, type OutRecord, type ProducerOptions, type TypedProducer } from "./producer.js";
export {
  defaultTopics,
  ensureTopics,
  prepareTopics,
  type TopicNames,
  type TopicSpec,
  topicNames,
  topicPrefixVar,
} from "./topics.js";
export { extractTraceContext, injectTraceHeaders } from "./trace-propagation.js";
