// Our MQTT client against aedes 1.x (in-process, the Node broker) over TCP and TLS.
import { describe } from 'vitest';
import { startAedes } from '../support/brokers.js';
import { brokerScenarios } from '../support/scenarios.js';

describe('client vs aedes', () => brokerScenarios(startAedes));
