import { createTheme, type CSSVariablesResolver } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'blue',
  // Shade 8 keeps white text on filled buttons above 4.5:1.
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'md',
  cursorType: 'pointer',
  headings: { fontWeight: '650' },
  components: {
    Card: { defaultProps: { withBorder: true, radius: 'md', padding: 'lg' } },
    Badge: { defaultProps: { variant: 'light', radius: 'sm' } },
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
    Notification: {
      defaultProps: { closeButtonProps: { 'aria-label': 'Dismiss notification' } },
      // The message is gray-6 by default (and `dimmed` is gray-6 too), below 4.5:1 on white: use the
      // body text colour (axe flagged a toast on the settings page).
      styles: { description: { color: 'var(--mantine-color-text)' } },
    },
    Table: { defaultProps: { verticalSpacing: 'sm', highlightOnHover: true } },
    // Every field in these forms is required, so no asterisk: it would also become part of the label
    // text ("Password *"), which breaks exact label look-ups.
    TextInput: { defaultProps: { withAsterisk: false } },
    PasswordInput: {
      defaultProps: {
        withAsterisk: false,
        // The default name, "Toggle password visibility", would also match a search for the label "Password".
        visibilityToggleButtonProps: { 'aria-label': 'Show characters' },
      },
    },
  },
});

/**
 * Text colours darkened where Mantine's defaults fall below WCAG AA contrast (4.5:1): dimmed text
 * on white, and "light" variant text on its hover background (shade 2).
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': '#5c636a',
    '--mantine-color-error': 'var(--mantine-color-red-9)',
    '--mantine-color-placeholder': 'var(--mantine-color-gray-6)',
    '--mantine-color-blue-light-color': '#0f4f8a',
    '--mantine-color-red-light-color': '#a61e1e',
    '--mantine-color-green-light-color': '#1f6b2a',
    '--mantine-color-teal-light-color': '#0b5e4f',
    '--mantine-color-orange-light-color': '#a33f04',
    '--mantine-color-yellow-light-color': '#7a5200',
    '--mantine-color-cyan-light-color': '#0b5d70',
    '--mantine-color-gray-light-color': '#495057',
  },
  dark: {},
});
