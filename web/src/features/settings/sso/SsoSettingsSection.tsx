import { useEffect, useState, type FormEvent } from 'react';
import { Alert, Badge, Button, Code, CopyButton, Group, PasswordInput, Select, Stack, Switch, TagsInput, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { RetryAlert } from '../../../components/RetryAlert.js';
import { Section } from '../../../components/Section.js';
import { InlineLoader } from '../../../components/StatusScreen.js';
import { errorMessage } from '../../../lib/api.js';
import { splitServerErrors } from '../../../lib/form-errors.js';
import { SSO_FAILURES, saveSsoSettings, ssoSettingsQuery, startSsoTest, type SsoRole, type SsoSettingsInput } from './api.js';

const FIELDS = ['enabled', 'issuer', 'clientId', 'clientSecret', 'displayName', 'allowedDomains', 'unknownUsers', 'defaultRole', 'passwordForNonOwners'] as const;
type Field = (typeof FIELDS)[number];

const EMPTY: SsoSettingsInput = {
  enabled: false,
  issuer: '',
  clientId: '',
  displayName: '',
  allowedDomains: [],
  unknownUsers: 'refuse',
  defaultRole: 'viewer',
  passwordForNonOwners: true,
};

/** Single sign-on with one OpenID Connect provider (owners), with a test sign-in. */
export function SsoSettingsSection() {
  const queryClient = useQueryClient();
  const view = useQuery(ssoSettingsQuery);
  const [form, setForm] = useState<SsoSettingsInput>(EMPTY);
  const [secret, setSecret] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [params, setParams] = useSearchParams();
  const testResult = params.get('sso_test');

  useEffect(() => {
    const s = view.data?.settings;
    if (s) setForm({ ...s, defaultRole: s.defaultRole === 'owner' ? 'admin' : s.defaultRole });
  }, [view.data]);

  const save = useMutation({
    mutationFn: () => saveSsoSettings({ ...form, ...(secret ? { clientSecret: secret } : {}) }),
    onSuccess: (data) => {
      queryClient.setQueryData(ssoSettingsQuery.queryKey, data);
      setSecret('');
      setErrors({});
      setFormError(null);
      notifications.show({ color: 'green', message: data.settings?.enabled ? 'Single sign-on saved and on' : 'Single sign-on saved (off)' });
    },
    onError: (error) => {
      const split = splitServerErrors(error, FIELDS);
      setErrors(split.fieldErrors);
      setFormError(split.formError);
    },
  });
  const test = useMutation({
    mutationFn: startSsoTest,
    onSuccess: ({ url }) => window.location.assign(url),
    onError: (error) => notifications.show({ color: 'red', title: 'The test could not start', message: errorMessage(error) }),
  });

  const title = 'Single sign-on';
  const description = 'Let people sign in with your organisation’s OpenID Connect provider. Owners can always sign in with their password too, so nobody is locked out.';
  if (view.isPending) return <Section title={title} description={description}><InlineLoader /></Section>;
  if (view.isError) {
    return (
      <Section title={title} description={description}>
        <RetryAlert title="Could not load the single sign-on settings" error={view.error} onRetry={() => void view.refetch()} />
      </Section>
    );
  }

  const set = <K extends keyof SsoSettingsInput>(key: K, value: SsoSettingsInput[K]) => setForm((f) => ({ ...f, [key]: value }));
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    save.mutate();
  };
  const clearTest = () => {
    params.delete('sso_test');
    params.delete('reason');
    params.delete('mfa');
    setParams(params, { replace: true });
  };

  return (
    <Section title={title} description={description} actions={view.data.settings?.enabled ? <Badge color="green">On</Badge> : <Badge color="gray">Off</Badge>}>
      <form onSubmit={submit} noValidate aria-label="Single sign-on settings">
        <Stack gap="md">
          {testResult === 'ok' ? (
            <Alert color="green" variant="light" role="status" withCloseButton closeButtonLabel="Dismiss" onClose={clearTest} title="Test sign-in worked">
              The provider signed you in and its answer passed every check{params.get('mfa') === '1' ? ' (it reported multi-factor authentication).' : '. It did not report multi-factor authentication, so people with two-factor authentication here will also enter their code.'}
            </Alert>
          ) : testResult === 'failed' ? (
            <Alert color="red" variant="light" role="alert" withCloseButton closeButtonLabel="Dismiss" onClose={clearTest} title="Test sign-in failed">
              {SSO_FAILURES[params.get('reason') ?? ''] ?? 'The sign-in did not complete.'}
            </Alert>
          ) : null}
          <Group gap="xs" wrap="wrap">
            <Text fz="sm">Redirect URI to register at the provider:</Text>
            <Code>{view.data.redirectUri}</Code>
            <CopyButton value={view.data.redirectUri}>
              {({ copied, copy }) => (
                <Button size="compact-xs" variant="default" onClick={copy}>
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Switch label="Offer single sign-on on the sign-in page" checked={form.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
          <TextInput label="Button name" description="Shown as “Sign in with …”" value={form.displayName} onChange={(e) => set('displayName', e.currentTarget.value)} error={errors.displayName} maxLength={60} required />
          <TextInput label="Issuer URL" description="The provider's issuer; its /.well-known/openid-configuration is read from there." placeholder="https://login.example.com" value={form.issuer} onChange={(e) => set('issuer', e.currentTarget.value)} error={errors.issuer} required />
          <TextInput label="Client ID" value={form.clientId} onChange={(e) => set('clientId', e.currentTarget.value)} error={errors.clientId} required />
          <PasswordInput
            label="Client secret"
            description={view.data.clientSecretSet ? 'A secret is stored (encrypted). Leave blank to keep it.' : 'Kept encrypted; never shown again.'}
            value={secret}
            onChange={(e) => setSecret(e.currentTarget.value)}
            error={errors.clientSecret}
            autoComplete="off"
            required={!view.data.clientSecretSet}
          />
          <TagsInput label="Allowed email domains" description="Only verified emails of these domains may sign in. Press Enter after each." value={form.allowedDomains} onChange={(v) => set('allowedDomains', v)} error={errors.allowedDomains} />
          <Select
            label="People without an account here"
            data={[
              { value: 'refuse', label: 'Refuse them' },
              { value: 'invite', label: 'Create their account with the default role' },
            ]}
            value={form.unknownUsers}
            onChange={(v) => v && set('unknownUsers', v as 'refuse' | 'invite')}
            allowDeselect={false}
            error={errors.unknownUsers}
          />
          {form.unknownUsers === 'invite' ? (
            <Select
              label="Default role"
              description="Never owner."
              data={[
                { value: 'viewer', label: 'Viewer' },
                { value: 'operator', label: 'Operator' },
                { value: 'admin', label: 'Admin' },
              ]}
              value={form.defaultRole}
              onChange={(v) => v && set('defaultRole', v as SsoRole)}
              allowDeselect={false}
              error={errors.defaultRole}
            />
          ) : null}
          <Switch
            label="Admins, operators and viewers may still sign in with a password"
            checked={form.passwordForNonOwners}
            onChange={(e) => set('passwordForNonOwners', e.currentTarget.checked)}
          />
          {formError ? (
            <Alert color="red" variant="light" role="alert">
              {formError}
            </Alert>
          ) : null}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={() => test.mutate()} loading={test.isPending} disabled={!view.data.settings}>
              Test sign-in
            </Button>
            <Button type="submit" loading={save.isPending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}
