import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import type { FieldErrors } from '../../lib/form-errors.js';
import { useFormFields } from '../../lib/use-form-fields.js';
import { useCreateLink, useRefreshOnboarding, type NewLink, type OnboardingLink } from './api.js';
import { CreatedLink } from './CreatedLink.js';

const FIELDS = ['label', 'businessName', 'email', 'phone', 'expiresInDays'] as const;
type Field = (typeof FIELDS)[number];
const EMPTY: Record<Field, string> = { label: '', businessName: '', email: '', phone: '', expiresInDays: '7' };

function check(values: Record<Field, string>): FieldErrors<Field> {
  const errors: FieldErrors<Field> = {};
  const label = values.label.trim();
  if (!label) errors.label = 'Enter a label';
  else if (label.length > 100) errors.label = 'Use at most 100 characters';
  const email = values.email.trim();
  if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) errors.email = 'Enter an email address such as name@example.com';
  const days = Number(values.expiresInDays);
  if (!Number.isInteger(days) || days < 1 || days > 30) errors.expiresInDays = 'Enter a whole number of days from 1 to 30';
  return errors;
}

function toBody(values: Record<Field, string>): NewLink {
  const optional = (value: string) => (value.trim() ? value.trim() : undefined);
  const body: NewLink = { label: values.label.trim(), expiresInDays: Number(values.expiresInDays) };
  const businessName = optional(values.businessName);
  const email = optional(values.email);
  const phone = optional(values.phone);
  if (businessName) body.businessName = businessName;
  if (email) body.email = email;
  if (phone) body.phone = phone;
  return body;
}

/** Creates a customer onboarding link, then shows its address once. */
export function CreateLinkModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const form = useFormFields<Field>(EMPTY);
  const mutation = useCreateLink();
  const refresh = useRefreshOnboarding();
  const [created, setCreated] = useState<{ link: OnboardingLink; url: string } | null>(null);

  const close = () => {
    onClose();
    form.setValues(EMPTY);
    form.check({});
    setCreated(null);
    mutation.reset();
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending || !form.check(check(form.values))) return;
    mutation.mutate(toBody(form.values), {
      onSuccess: (result) => {
        refresh();
        setCreated(result);
      },
      onError: (error) => form.showServerErrors(error, FIELDS),
    });
  };

  return (
    <Modal opened={opened} onClose={close} title={created ? 'Customer link created' : 'Create customer link'} centered size="lg">
      {created ? (
        <CreatedLink link={created.link} url={created.url} onDone={close} />
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="md">
            <Text fz="sm" c="dimmed">
              The customer opens the link to connect their WhatsApp Business Account through Meta, without a console account. It works once.
            </Text>
            {form.formError ? (
              <Alert color="red" variant="light" role="alert" title="The link was not created">
                {form.formError}
              </Alert>
            ) : null}
            <TextInput label="Label" description="For you: who or what the link is for (up to 100 characters)." required maxLength={100} autoComplete="off" data-autofocus {...form.bind('label')} />
            <TextInput label="Business name (optional)" autoComplete="off" {...form.bind('businessName')} />
            <TextInput label="Email (optional)" type="email" autoComplete="off" {...form.bind('email')} />
            <TextInput label="Phone (optional)" type="tel" autoComplete="off" {...form.bind('phone')} />
            <TextInput label="Expires in days" description="From 1 to 30." type="number" inputMode="numeric" min={1} max={30} required {...form.bind('expiresInDays')} />
            <Group justify="flex-end" gap="sm">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={mutation.isPending}>
                Create link
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
