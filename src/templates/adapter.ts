import type { ResponseAdapter } from '../proxy/response-adapter';
import { completionChunksToChat, completionToChat } from './completion-as-chat';

export const completionAsChat: ResponseAdapter = {
  json: completionToChat,
  events: completionChunksToChat,
};
