import { useInfiniteQuery } from '@tanstack/react-query';
import { api, type CursorPage } from '../../lib/api.js';

export interface OutboxMail {
  id: string | number;
  to: string;
  subject: string;
  text: string;
  createdAt: string;
}

export const outboxKeys = { all: ['outbox'] as const };

export function useOutbox() {
  return useInfiniteQuery({
    queryKey: outboxKeys.all,
    queryFn: ({ pageParam, signal }) => api.get<CursorPage<OutboxMail>>('/outbox', { query: { cursor: pageParam }, signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
  });
}
