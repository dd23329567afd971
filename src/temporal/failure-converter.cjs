/**
 * The failure converter used when payload encryption is on: a failure's message and stack trace go
 * into a payload (and so through the encryption codec) instead of plain text fields, so that error
 * texts naming a person are not stored readable in Temporal. Failures read back are the same either
 * way: the SDK's converter takes message and stack trace from that payload.
 *
 * CommonJS on purpose: the SDK loads it with require() in the worker and the client (outside the
 * workflow sandbox) and bundles it into the workflow code (inside it).
 */
'use strict';
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
