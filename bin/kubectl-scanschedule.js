#!/usr/bin/env node
// `kubectl scanschedule ...`: kubectl runs any kubectl-<name> on the PATH as a plugin. Same command, whose usage
// then reads "kubectl scanschedule" (main.ts looks at the name it was started by).
import './scanschedule.js';
