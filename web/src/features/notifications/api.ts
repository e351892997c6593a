/** Data for the notification bell, the notifications page and the mail preferences (docs/API-v1-notifications.md). */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type CursorPage } from '../../lib/api.js';

export interface NotificationItem {
  id: string;
  kind: string;
  category: 'whatsapp' | 'privacy' | 'operations' | 'security';
  title: string;
  body: string;
  /** in-app path of the thing concerned */
  link: string | null;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPreference {
  category: NotificationItem['category'];
  label: string;
  describe: string;
  mail: boolean;
  locked: boolean;
}

export const notificationKeys = {
  all: ['notifications'] as const,
  list: ['notifications', 'list'] as const,
  recent: ['notifications', 'recent'] as const,
  unread: ['notifications', 'unread'] as const,
  preferences: ['notifications', 'preferences'] as const,
};

/** New notifications arrive through the minute-by-minute job: polling at that pace is enough. */
const POLL_MS = 60_000;

export function useUnreadCount() {
  return useQuery({
    queryKey: notificationKeys.unread,
    queryFn: ({ signal }) => api.get<{ unreadCount: number }>('/notifications/unread-count', { signal }),
    refetchInterval: POLL_MS,
  });
}

export function useRecentNotifications(enabled: boolean) {
  return useQuery({
    queryKey: notificationKeys.recent,
    queryFn: ({ signal }) => api.get<CursorPage<NotificationItem> & { unreadCount: number }>('/notifications', { query: { limit: 8 }, signal }),
    enabled,
  });
}

export function useNotificationList() {
  return useInfiniteQuery({
    queryKey: notificationKeys.list,
    queryFn: ({ pageParam, signal }) => api.get<CursorPage<NotificationItem> & { unreadCount: number }>('/notifications', { query: { cursor: pageParam }, signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
  });
}

export function useMarkRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<{ notification: NotificationItem }>(`/notifications/${encodeURIComponent(id)}/read`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

export function useMarkAllRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<{ updated: number }>('/notifications/read-all'),
    onSettled: () => queryClient.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

export const getPreferences = (signal?: AbortSignal) => api.get<{ categories: NotificationPreference[] }>('/me/notification-preferences', { signal });
export const putPreferences = (mail: Partial<Record<NotificationPreference['category'], boolean>>) =>
  api.put<{ categories: NotificationPreference[] }>('/me/notification-preferences', { mail });
