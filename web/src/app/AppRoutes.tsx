import { lazy, Suspense, type ReactNode } from 'react';
import { Route, Routes } from 'react-router';
import { ComingSoon } from '../components/ComingSoon.js';
import { LoadingScreen } from '../components/StatusScreen.js';
import { AREAS } from './areas.js';
import { AuthGate } from './AuthGate.js';
import { NotFoundPage } from './NotFoundPage.js';
import { RequireAbility } from './RequireAbility.js';

// Route-level code splitting: each page loads when first visited.
const SignInPage = lazy(() => import('../features/sign-in/SignInPage.js').then((m) => ({ default: m.SignInPage })));
const SetupPage = lazy(() => import('../features/setup/SetupPage.js').then((m) => ({ default: m.SetupPage })));
const InvitePage = lazy(() => import('../features/invite/InvitePage.js').then((m) => ({ default: m.InvitePage })));
const ForgotPasswordPage = lazy(() =>
  import('../features/password-reset/ForgotPasswordPage.js').then((m) => ({ default: m.ForgotPasswordPage })),
);
const ResetPasswordPage = lazy(() =>
  import('../features/password-reset/ResetPasswordPage.js').then((m) => ({ default: m.ResetPasswordPage })),
);
const OverviewPage = lazy(() => import('../features/overview/OverviewPage.js').then((m) => ({ default: m.OverviewPage })));
const AccountPage = lazy(() => import('../features/account/AccountPage.js').then((m) => ({ default: m.AccountPage })));
const UsersPage = lazy(() => import('../features/users/UsersPage.js').then((m) => ({ default: m.UsersPage })));
const UserDetailPage = lazy(() => import('../features/users/UserDetailPage.js').then((m) => ({ default: m.UserDetailPage })));
const ActivityPage = lazy(() => import('../features/users/ActivityPage.js').then((m) => ({ default: m.ActivityPage })));
const OnboardingPage = lazy(() => import('../features/onboarding/OnboardingPage.js').then((m) => ({ default: m.OnboardingPage })));
const RecordDetailPage = lazy(() =>
  import('../features/onboarding/RecordDetailPage.js').then((m) => ({ default: m.RecordDetailPage })),
);
const WebhookEventsPage = lazy(() =>
  import('../features/webhooks/WebhookEventsPage.js').then((m) => ({ default: m.WebhookEventsPage })),
);
const PrivacyRequestsPage = lazy(() =>
  import('../features/privacy/PrivacyRequestsPage.js').then((m) => ({ default: m.PrivacyRequestsPage })),
);
const PrivacyRequestDetailPage = lazy(() =>
  import('../features/privacy/RequestDetailPage.js').then((m) => ({ default: m.RequestDetailPage })),
);
const ConfirmEmailPage = lazy(() => import('../features/privacy/ConfirmEmailPage.js').then((m) => ({ default: m.ConfirmEmailPage })));
const AuditLogPage = lazy(() => import('../features/audit/AuditLogPage.js').then((m) => ({ default: m.AuditLogPage })));
const AuditIntegrityPage = lazy(() =>
  import('../features/audit/integrity/AuditIntegrityPage.js').then((m) => ({ default: m.AuditIntegrityPage })),
);
const OutboxPage = lazy(() => import('../features/outbox/OutboxPage.js').then((m) => ({ default: m.OutboxPage })));
const NotificationsPage = lazy(() =>
  import('../features/notifications/NotificationsPage.js').then((m) => ({ default: m.NotificationsPage })),
);
const SettingsPage = lazy(() => import('../features/settings/SettingsPage.js').then((m) => ({ default: m.SettingsPage })));

/** Areas with a page of their own; the rest of `AREAS` shows its "arrives with" note. */
const BUILT = new Set(['/', '/account', '/users', '/activity', '/onboarding', '/webhooks', '/outbox', '/privacy-requests', '/audit', '/settings']);

function Public({ children }: { children: ReactNode }) {
  return <Suspense fallback={<LoadingScreen />}>{children}</Suspense>;
}

/**
 * Routes:
 *   /sign-in, /setup, /invite, /forgot-password, /reset-password   public
 *   /                          Overview
 *   /account                   My account (with notification mail preferences)
 *   /notifications             the signed-in user's notifications (the header's bell shows the latest)
 *   /users, /users/:id         Users (users.list)
 *   /activity                  Sign-in activity (users.activity.read)
 *   /onboarding, /onboarding/:id   WhatsApp accounts and customer links (onboarding.read); /connect is server-rendered
 *   /webhooks                  Webhook events (webhooks.read; reprocess with webhooks.reprocess)
 *   /privacy-requests, /privacy-requests/:id   Privacy request queue (privacy.manage)
 *   /confirm-email             confirms a new email (link mailed to the new address; signed in)
 *   /outbox                    Development mail outbox (outbox.read; in the navigation only when /me says it is in use)
 *   /audit                     Audit log: filters, event detail, CSV / JSON lines export (audit.read); /audit/integrity: chain verification
 *   /settings                  Retention periods, legal holds, purge runs (settings.manage; holds with legal_hold.manage)
 */
export function AppRoutes() {
  return (
    <Routes>
      <Route path="/sign-in" element={<Public><SignInPage /></Public>} />
      <Route path="/setup" element={<Public><SetupPage /></Public>} />
      <Route path="/invite" element={<Public><InvitePage /></Public>} />
      <Route path="/forgot-password" element={<Public><ForgotPasswordPage /></Public>} />
      <Route path="/reset-password" element={<Public><ResetPasswordPage /></Public>} />
      <Route element={<AuthGate />}>
        <Route index element={<OverviewPage />} />
        <Route path="account" element={<AccountPage />} />
        <Route path="notifications" element={<NotificationsPage />} />
        <Route path="users" element={<RequireAbility ability="users.list" title="Users"><UsersPage /></RequireAbility>} />
        <Route path="users/:id" element={<RequireAbility ability="users.list" title="User"><UserDetailPage /></RequireAbility>} />
        <Route
          path="activity"
          element={<RequireAbility ability="users.activity.read" title="Sign-in activity"><ActivityPage /></RequireAbility>}
        />
        <Route
          path="onboarding"
          element={<RequireAbility ability="onboarding.read" title="WhatsApp accounts"><OnboardingPage /></RequireAbility>}
        />
        <Route
          path="onboarding/:id"
          element={<RequireAbility ability="onboarding.read" title="WhatsApp account"><RecordDetailPage /></RequireAbility>}
        />
        <Route
          path="webhooks"
          element={<RequireAbility ability="webhooks.read" title="Webhook events"><WebhookEventsPage /></RequireAbility>}
        />
        <Route path="outbox" element={<RequireAbility ability="outbox.read" title="Outbox"><OutboxPage /></RequireAbility>} />
        <Route path="audit" element={<RequireAbility ability="audit.read" title="Audit log"><AuditLogPage /></RequireAbility>} />
        <Route
          path="audit/integrity"
          element={<RequireAbility ability="audit.read" title="Audit log integrity"><AuditIntegrityPage /></RequireAbility>}
        />
        <Route path="settings" element={<RequireAbility ability="settings.manage" title="Settings"><SettingsPage /></RequireAbility>} />
        <Route
          path="privacy-requests"
          element={<RequireAbility ability="privacy.manage" title="Privacy requests"><PrivacyRequestsPage /></RequireAbility>}
        />
        <Route
          path="privacy-requests/:id"
          element={<RequireAbility ability="privacy.manage" title="Privacy request"><PrivacyRequestDetailPage /></RequireAbility>}
        />
        <Route path="confirm-email" element={<ConfirmEmailPage />} />
        {AREAS.filter((area) => !BUILT.has(area.path)).map((area) => (
          <Route
            key={area.path}
            path={`${area.path.slice(1)}/*`}
            element={
              <RequireAbility ability={area.ability} title={area.label}>
                <ComingSoon title={area.label} arrivesWith={area.arrivesWith ?? 'a later release'} />
              </RequireAbility>
            }
          />
        ))}
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
