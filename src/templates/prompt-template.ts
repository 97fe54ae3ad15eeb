import type { Deployment, LitellmParams } from '../deployments/schema';

/**
 * LiteLLM's prompt templates for completion-only (base) models: `bos_token + initial_prompt_value`, then each
 * message wrapped in its role's pre/post strings (assistant turns closed by `eos_token`, a new system/user turn
 * after an assistant reopened with `bos_token`), then `final_prompt_value`.
 * One deliberate difference: LiteLLM reopens the BOS only for a role named "human", which OpenAI clients never
 * send, so its multi-turn Llama-2 prompts lose their `<s>`; here "user" reopens it as the template intends.
 */
export type TemplateParams = Pick<
  LitellmParams,
  'initial_prompt_value' | 'final_prompt_value' | 'bos_token' | 'eos_token' | 'roles'
>;

export function hasTemplate(p: LitellmParams): boolean {
  return (
    p.initial_prompt_value !== undefined ||
    p.final_prompt_value !== undefined ||
    p.bos_token !== undefined ||
    p.eos_token !== undefined ||
    p.roles !== undefined
  );
}

/** Chat requests to this deployment go to /v1/completions: it has a template or is declared completion-only. */
export function servesChatAsCompletion(d: Deployment): boolean {
  return hasTemplate(d.litellm_params) || d.model_info.mode === 'completion';
}

export interface TextMessage {
  role: string;
  text: string;
}

export function renderPrompt(messages: readonly TextMessage[], p: TemplateParams): string {
  // Without any template LiteLLM joins the message texts with single spaces.
  if (!hasTemplate(p as LitellmParams)) return messages.map((m) => m.text).join(' ');
  const bos = p.bos_token ?? '';
  const eos = p.eos_token ?? '';
  let prompt = bos + (p.initial_prompt_value ?? '');
  let bosOpen = true;
  for (const m of messages) {
    if ((m.role === 'system' || m.role === 'user') && !bosOpen) {
      prompt += bos;
      bosOpen = true;
    }
    const role = p.roles?.[m.role as keyof NonNullable<TemplateParams['roles']>];
    prompt += (role?.pre_message ?? '') + m.text + (role?.post_message ?? '');
    if (m.role === 'assistant') {
      prompt += eos;
      bosOpen = false;
    }
  }
  return prompt + (p.final_prompt_value ?? '');
}
