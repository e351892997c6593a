/**
 * The built-in stand-in for graph.facebook.com (sandbox mode, demos, tests). Production never starts
 * it: with META_APP_ID set, the app talks to Meta.
 */
export { createMetaSimulator, registerSimulatorRoutes, startMetaSimulator, type MountOptions, type RunningSimulator } from './server.js';
export type { FaultInput } from './faults.js';
export { MetaSimulator, SimulatorInputError, type IssuedToken, type MintCodeInput } from './simulator.js';
export { SIM_SCENARIOS, type RevokeReason, type SimScenario, type SimulatorOptions, type UnconfirmedBehaviour } from './types.js';
export { SEED, type WorldSummary } from './world.js';
export {
  ACCOUNT_UPDATE_EVENTS,
  BAN_STATES,
  EventBuildError,
  FIELD_EVENTS,
  hubSignature,
  metaJson,
  signedRequest,
  WEBHOOK_FIELDS,
  type EventSpec,
  type WebhookBody,
  type WebhookField,
} from './event-builders.js';
export { EventSender, SimulatorEvents, type Delivery, type DeliveryAttempt, type EventSenderOptions, type WebhookSendSpec } from './events.js';
