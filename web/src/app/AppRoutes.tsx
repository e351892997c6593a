import { lazy, Suspense } from 'react';
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
const OverviewPage = lazy(() => import('../features/overview/OverviewPage.js').then((m) => ({ default: m.OverviewPage })));
const AccountPage = lazy(() => import('../features/account/AccountPage.js').then((m) => ({ default: m.AccountPage })));

/** Areas with a page of their own; the rest of `AREAS` shows its "arrives with" note. */
const BUILT = new Set(['/', '/account']);

/**
 * Routes:
 *   /sign-in, /setup           public
 *   /                          Overview
 *   /account                   My account
 *   /users, /onboarding, /webhooks, /audit, /privacy, /settings   (guarded by ability; not built yet)
 */
export function AppRoutes() {
  return (
    <Routes>
      <Route
        path="/sign-in"
        element={
          <Suspense fallback={<LoadingScreen />}>
            <SignInPage />
          </Suspense>
        }
      />
      <Route
        path="/setup"
        element={
          <Suspense fallback={<LoadingScreen />}>
            <SetupPage />
          </Suspense>
        }
      />
      <Route element={<AuthGate />}>
        <Route index element={<OverviewPage />} />
        <Route path="account" element={<AccountPage />} />
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
