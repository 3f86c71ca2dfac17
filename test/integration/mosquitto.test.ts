// Our MQTT client against Debian's mosquitto 2 (a child process with its own config).
import { describe } from 'vitest';
import { requireBinary } from '../support/binary.js';
import { startMosquitto } from '../support/brokers.js';
import { brokerScenarios } from '../support/scenarios.js';

describe.skipIf(requireBinary('mosquitto').missing)('client vs mosquitto', () => brokerScenarios(startMosquitto));
