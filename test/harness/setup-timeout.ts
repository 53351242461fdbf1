import { jest } from "@jest/globals";

// Integration and end-to-end tests talk to real servers: allow them time.
jest.setTimeout(120_000);
