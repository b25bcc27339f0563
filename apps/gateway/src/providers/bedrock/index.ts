// Amazon Bedrock adapter (Converse API). Credentials: accessKeyId, secretAccessKey, optional sessionToken; signed
// with SigV4 in `sign()`. Settings: `region`. Streams are binary AWS event-stream (converse-stream).
//
// healthCheck: the bedrock-runtime endpoint has no cheap, non-billing call (listing models is the control-plane
// service `bedrock.{region}.amazonaws.com/foundation-models`, with different IAM permissions), so none is offered;
// the balancer's passive health (upstream errors) covers Bedrock targets.

import type { ProviderAdapter } from "../types.ts";
import { buildEmbeddingsRequest, parseEmbeddingsResponse } from "./embeddings.ts";
import { mapBedrockError } from "./errors.ts";
import { bedrockBaseUrl, buildChatRequest } from "./request.ts";
import { parseChatResponse } from "./response.ts";
import { signBedrockRequest } from "./sign.ts";
import { createBedrockStreamState, endBedrockStream, mapBedrockStreamEvent } from "./stream.ts";

export const adapter: ProviderAdapter = {
  kind: "bedrock",
  defaultBaseUrl: bedrockBaseUrl,
  openaiCompatible: false,
  chat: {
    buildRequest: buildChatRequest,
    parseResponse: parseChatResponse,
    streamFraming: "aws-eventstream",
    createStreamState: createBedrockStreamState,
    mapStreamEvent: mapBedrockStreamEvent,
    endStream: endBedrockStream,
  },
  embeddings: { buildRequest: buildEmbeddingsRequest, parseResponse: parseEmbeddingsResponse },
  sign: signBedrockRequest,
  mapError: mapBedrockError,
};
