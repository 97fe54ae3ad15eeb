// The Worker's config.yaml reader, checked against the full `yaml` library on the configs LiteLLM users write.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfigYaml } from '../../src/deployments/yaml/index';

const CONFIGS: Record<string, string> = {
  litellmDocs: `
model_list:
  - model_name: gpt-3.5-turbo ### RECEIVED MODEL NAME ###
    litellm_params: # all params accepted by litellm.completion() - https://docs.litellm.ai/docs/completion/input
      model: hosted_vllm/meta-llama/Llama-3-8B ### MODEL NAME sent to \`litellm.completion()\` ###
      api_base: http://0.0.0.0:8000/v1
      api_key: "os.environ/VLLM_KEY" # does os.getenv("AZURE_API_KEY_EU")
      rpm: 6      # [OPTIONAL] Rate limit for this deployment: in requests per minute (rpm)
      timeout: 0.1
      stream_timeout: 0.01
    model_info:
      id: llama-a
      input_cost_per_token: 0.000001
      output_cost_per_token: 2e-6
  - model_name: embedder
    litellm_params:
      model: hosted_vllm/BAAI/bge-m3
      api_base: 'http://embed:8000'
      weight: 2
    model_info: {mode: embedding, "base_model": 'bge'}

litellm_settings:
  drop_params: True
  num_retries: 3
  fallbacks: [{"gpt-3.5-turbo": ["gpt-4"]}]

router_settings:
  routing_strategy: simple-shuffle
  allowed_fails: 3
  cooldown_time: 30
  fallbacks:
    - gpt-3.5-turbo: ["embedder", 'other']
  context_window_fallbacks: [
    {"a": ["b"]},
    {"c": ["d"]}
  ]

general_settings:
  master_key: sk-1234 # [OPTIONAL] Only use this if you to require all calls to contain this key (Authorization: Bearer sk-1234)
  alerting: []
  empty:
  nothing: ~
`,
  templates: `
model_list:
  - model_name: base
    litellm_params:
      model: hosted_vllm/base
      initial_prompt_value: "\\n"
      roles:
        system:
          pre_message: "<|im_start|>system\\n"
          post_message: "<|im_end|>"
        assistant: {pre_message: "<|im_start|>assistant\\n", post_message: "<|im_end|>\\n"}
        user:
          pre_message: |
            <|im_start|>user
          post_message: |-
            <|im_end|>
            <|im_start|>assistant
      final_prompt_value: >-
        folded
        text here
      bos_token: "<s>"
      eos_token: '</s>'
`,
  json: '{"model_list": [{"model_name": "x", "litellm_params": {"model": "hosted_vllm/x"}}]}',
  nestedLists: `
---
a:
- 1
- - 2
  - 3
- key: value
  other: 'it''s'
-
  deep: true
b: -5
c: "quoted # not a comment"
d: plain # comment
e: [ ]
f: {}
g: "\\u00e9"
`,
};

describe('config.yaml reader', () => {
  it.each(Object.entries(CONFIGS))('reads %s exactly as a full YAML parser does', (_name, text) => {
    expect(parseConfigYaml(text)).toEqual(parse(text));
  });

  it('refuses what it does not read, with the line number', () => {
    expect(() => parseConfigYaml('a: &anchor 1\nb: *anchor\n')).toThrow(/line 1: anchors, aliases and tags/);
    expect(() => parseConfigYaml('a: 1\n---\nb: 2\n')).toThrow(/line 2: only one YAML document/);
    expect(() => parseConfigYaml('a:\n\tb: 1\n')).toThrow(/line 2: tabs/);
    expect(() => parseConfigYaml('a: 1\na: 2\n')).toThrow(/line 2: key "a" appears twice/);
    expect(() => parseConfigYaml('a: [1, 2\n')).toThrow(/not closed/);
    expect(() => parseConfigYaml('a: "open\n')).toThrow(/line 1: a quoted string is not closed/);
    expect(() => parseConfigYaml('a:\n  b: 1\n   c: 2\n')).toThrow(/line 3: unexpected indentation/);
  });
});
