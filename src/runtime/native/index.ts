/** The native engine (engine.ts) and the addon's controls: loading, threads, the OpenBLAS core. */
export {
  NATIVE_ADDON, loadNative, nativeEnabled, useNative, threadsSetting, coretypeFor, chooseOpenblasCore, openblasCoreChoice,
  setNativeThreads, nativeThreads, nativeLoadError,
} from './addon';
export type { NativeBlas, NativeThreads } from './addon';
export { matMulShapes, nativeMatMulActive, useNativeMatMul } from './matmul';
export { nativeEngine } from './engine';
