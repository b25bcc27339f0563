// StreamFraming -> its de-framer. The pipeline asks for one per upstream stream; each de-framer keeps the partial
// tail of an event between network chunks.

import type { StreamFraming } from "../../providers/types.ts";
import { createAwsEventStreamDeframer } from "./aws-eventstream.ts";
import { createJsonArrayDeframer } from "./json-array.ts";
import { createNdjsonDeframer } from "./ndjson.ts";
import { createSseDeframer } from "./sse.ts";
import type { Deframer } from "./types.ts";

export type { Deframer } from "./types.ts";

const FACTORIES = {
  sse: () => createSseDeframer(),
  ndjson: () => createNdjsonDeframer(),
  "json-array": () => createJsonArrayDeframer(),
  "aws-eventstream": () => createAwsEventStreamDeframer(),
} as const satisfies Record<StreamFraming, () => Deframer>;

export function createDeframer(framing: StreamFraming): Deframer {
  return FACTORIES[framing]();
}
