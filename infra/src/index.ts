export { formatEvent, type StackEvent, shortId } from "./stack/events.js";
export { parseStackOptions, type StackOptions, StackUsageError, USAGE } from "./stack/options.js";
export { type RunningStack, STACK_AGENTS, STACK_TOWN, startLocalStack } from "./stack/start.js";
export { AgentWatch, type EventSink } from "./stack/watch.js";
