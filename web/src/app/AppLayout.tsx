import { Suspense, useEffect, useRef } from 'react';
import { Anchor, AppShell, Box, Burger, Container, Group, NavLink, ScrollArea, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, Outlet, useLocation, useMatch } from 'react-router';
import { BrandMark } from '../components/BrandMark.js';
import { InlineLoader } from '../components/StatusScreen.js';
import { useSession } from '../lib/session.js';
import { AREAS, areaVisible, type Area } from './areas.js';
import { PRODUCT_NAME } from './brand.js';
import { SandboxBanner } from './SandboxBanner.js';
import { TwoFactorGraceBanner } from '../features/account/two-factor/GraceBanner.js';
import { StepUpModal } from '../features/account/two-factor/StepUpModal.js';
import { UserMenu } from './UserMenu.js';
import { NotificationBell } from '../features/notifications/NotificationBell.js';

function NavItem({ area }: { area: Area }) {
  const match = useMatch({ path: area.path, end: area.path === '/' });
  return (
    <NavLink
      component={Link}
      to={area.path}
      label={area.label}
      leftSection={area.icon}
      active={match !== null}
      aria-current={match ? 'page' : undefined}
      variant="light"
      fw={500}
    />
  );
}

export function AppLayout() {
  const [navOpened, nav] = useDisclosure(false);
  const session = useSession();
  const { pathname } = useLocation();
  const mainRef = useRef<HTMLElement>(null);

  // On small screens the navbar overlays the page: close it once the user has picked an area.
  useEffect(() => {
    nav.close();
  }, [pathname]);

  const skipToMain = (event: React.MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    mainRef.current?.focus();
  };

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 260, breakpoint: 'sm', collapsed: { mobile: !navOpened } }}
      padding="lg"
    >
      <a href="#main-content" className="skip-link" onClick={skipToMain}>
        Skip to main content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={navOpened}
              onClick={nav.toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={navOpened ? 'Close navigation' : 'Open navigation'}
              aria-expanded={navOpened}
              aria-controls="app-navbar"
            />
            <Anchor component={Link} to="/" c="inherit" underline="never" aria-label={`${PRODUCT_NAME} home`}>
              <Group gap={10} wrap="nowrap">
                <BrandMark size={26} />
                <Text component="span" fw={700} fz="lg" visibleFrom="xs" style={{ whiteSpace: 'nowrap' }}>
                  {PRODUCT_NAME}
                </Text>
              </Group>
            </Anchor>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <NotificationBell />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar id="app-navbar" aria-label="Main navigation" p="sm">
        <AppShell.Section grow component={ScrollArea}>
          <Box>
            {AREAS.filter((area) => areaVisible(area, session, session.can)).map((area) => (
              <NavItem key={area.path} area={area} />
            ))}
          </Box>
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main id="main-content" ref={mainRef} tabIndex={-1} bg="gray.0" className="app-main">
        <Container size="lg" px={0}>
          {session.environment?.sandbox === true ? <SandboxBanner /> : null}
          <TwoFactorGraceBanner />
          <StepUpModal />
          <Suspense fallback={<InlineLoader />}>
            <Outlet />
          </Suspense>
        </Container>
      </AppShell.Main>
    </AppShell>
  );
}
