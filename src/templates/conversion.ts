import type { Deployment } from '../deployments/schema';
import type { Conversion } from '../proxy/response-adapter';
import { completionAsChat } from './adapter';
import { chatToCompletionEdits } from './chat-as-completion';
import { servesChatAsCompletion } from './prompt-template';

/** Chat requests to a completion-only deployment go to /v1/completions with the rendered prompt. */
export function chatForCompletionModel(deployment: Deployment, body: Record<string, unknown>): Conversion | undefined {
  if (!servesChatAsCompletion(deployment)) return undefined;
  return {
    path: '/v1/completions',
    edits: chatToCompletionEdits(body, deployment.litellm_params),
    adapter: completionAsChat,
  };
}
