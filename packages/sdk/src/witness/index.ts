export { addCheckpoint, type WitnessAnswer, type WitnessEvent, type WitnessService } from './add-checkpoint.ts';
export {
  type DirectoryLogKeysOptions,
  directoryLogKeys,
  type LogKeySource,
  type LogKeyStatus,
  LogKeysUnavailableError,
  staticLogKeys,
} from './log-keys.ts';
export { type OpenWitnessOptions, openWitness, witnessKeyFile } from './open-witness.ts';
export { checkWitnessName, type WitnessKey, WitnessKeyError, witnessKey } from './witness-key.ts';
export { MAX_ADD_CHECKPOINT_BYTES, startWitnessServer, witnessHandler } from './witness-server.ts';
export {
  originHash,
  type WitnessLogState,
  WitnessStateError,
  type WitnessStore,
  witnessStore,
} from './witness-state.ts';
