export { type CitizenTokenClaims, signCitizenToken } from './citizen-token.ts';
export { fakeSource, LEAKED, type SourceMode } from './fake-source.ts';
export {
  capturedLogLines,
  describeOperationalLog,
  linesWithPersonalData,
  loggedRefusalReasons,
  testLogger,
} from './log-capture.ts';
export { specProblemErrors } from './spec-problem.ts';
export { GATEWAY_URL, LOG_KEY, startTestGateway, type TestGateway } from './test-gateway.ts';
export { OUTWAY_ADMIN_TOKEN, OUTWAY_URL, startTestOutway, type TestOutway } from './test-outway.ts';
