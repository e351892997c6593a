/**
 * The built-in stand-in for graph.facebook.com (sandbox mode, demos, tests). Production never starts
 * it: with META_APP_ID set, the app talks to Meta.
 */
export { createMetaSimulator, registerSimulatorRoutes, startMetaSimulator, type MountOptions, type RunningSimulator } from './server.js';
export type { FaultInput } from './faults.js';
export { MetaSimulator, SimulatorInputError, type IssuedToken, type MintCodeInput } from './simulator.js';
export { SIM_SCENARIOS, type RevokeReason, type SimScenario, type SimulatorOptions, type UnconfirmedBehaviour } from './types.js';
export { SEED, type WorldSummary } from './world.js';
