import { useEffect, useState, type FormEvent } from 'react';
import { Alert, Button, Group, NumberInput, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { RetryAlert } from '../../components/RetryAlert.js';
import { ScrollTable } from '../../components/ScrollTable.js';
import { Section } from '../../components/Section.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { ApiError } from '../../lib/api.js';
import { usePeriods, useSavePeriods, type RetentionKind, type RetentionPeriod } from './api.js';

const unitText = (p: Pick<RetentionPeriod, 'unit'>, n: number) => `${n} ${p.unit === 'hours' ? (n === 1 ? 'hour' : 'hours') : n === 1 ? 'day' : 'days'}`;

/** The retention period of each kind of record, with its default, unit and bounds. */
export function RetentionSection() {
  const periods = usePeriods();
  const save = useSavePeriods();
  const [draft, setDraft] = useState<Partial<Record<RetentionKind, string>>>({});
  const [errors, setErrors] = useState<Partial<Record<RetentionKind, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const items = periods.data?.items ?? [];

  // a fresh answer from the server (first load, after saving) resets the form to it
  useEffect(() => {
    if (periods.data) setDraft(Object.fromEntries(periods.data.items.map((p) => [p.kind, String(p.value)])));
  }, [periods.data]);

  const changes: Partial<Record<RetentionKind, number>> = {};
  for (const p of items) {
    const v = draft[p.kind];
    if (v !== undefined && v !== '' && Number(v) !== p.value) changes[p.kind] = Number(v);
  }
  const changed = Object.keys(changes).length > 0;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    const local: Partial<Record<RetentionKind, string>> = {};
    for (const p of items) {
      const v = draft[p.kind] ?? '';
      const n = Number(v);
      if (v === '' || !Number.isInteger(n)) local[p.kind] = 'Enter a whole number';
      else if (n < p.min || n > p.max) local[p.kind] = `Must be between ${unitText(p, p.min)} and ${unitText(p, p.max)}`;
    }
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    save.mutate(changes, {
      onSuccess: () => notifications.show({ color: 'green', message: 'Retention periods saved' }),
      onError: (error) => {
        const byKind: Partial<Record<RetentionKind, string>> = {};
        const rest: string[] = [];
        if (error instanceof ApiError) {
          for (const e of error.errors) {
            const kind = e.path.split('.').pop() as RetentionKind;
            if (items.some((p) => p.kind === kind)) byKind[kind] = e.message.charAt(0).toUpperCase() + e.message.slice(1);
            else rest.push(e.message);
          }
        }
        setErrors(byKind);
        setFormError(rest.length > 0 ? rest.join(' ') : Object.keys(byKind).length > 0 ? null : error instanceof Error ? error.message : 'Saving failed');
      },
    });
  };

  return (
    <Section
      title="Retention"
      description="How long each kind of record is kept. The daily purge deletes or erases what is older; subjects under a legal hold are skipped."
    >
      {periods.isPending ? (
        <InlineLoader label="Loading retention periods…" />
      ) : periods.isError ? (
        <RetryAlert title="The retention periods could not be loaded" error={periods.error} onRetry={() => void periods.refetch()} />
      ) : (
        <form onSubmit={submit} noValidate aria-label="Retention periods">
          <Stack gap="md">
            {formError ? (
              <Alert color="red" variant="light" role="alert">
                {formError}
              </Alert>
            ) : null}
            <ScrollTable label="Retention periods" minWidth={720}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Kind of record</Table.Th>
                  <Table.Th>Period</Table.Th>
                  <Table.Th>Default</Table.Th>
                  <Table.Th>Last changed</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((p) => (
                  <Table.Tr key={p.kind}>
                    <Table.Td maw={360}>
                      <Text fw={500} fz="sm" id={`retention-${p.kind}-label`}>
                        {p.label}
                      </Text>
                      <Text c="dimmed" fz="xs">
                        {p.describe}
                      </Text>
                    </Table.Td>
                    <Table.Td miw={180}>
                      <NumberInput
                        aria-label={`${p.label} (${p.unit})`}
                        name={p.kind}
                        min={p.min}
                        max={p.max}
                        allowDecimal={false}
                        allowNegative={false}
                        clampBehavior="none"
                        rightSection={<Text fz="xs" c="dimmed" pr="xs">{p.unit}</Text>}
                        rightSectionWidth={52}
                        value={draft[p.kind] ?? ''}
                        onChange={(v) => {
                          setDraft((d) => ({ ...d, [p.kind]: String(v) }));
                          setErrors((e) => ({ ...e, [p.kind]: undefined }));
                        }}
                        error={errors[p.kind]}
                        description={`${p.min}–${p.max} ${p.unit}`}
                      />
                    </Table.Td>
                    <Table.Td>{unitText(p, p.default)}</Table.Td>
                    <Table.Td>
                      {p.updatedAt ? (
                        <Text fz="sm">
                          <time dateTime={p.updatedAt}>{new Date(p.updatedAt).toLocaleDateString()}</time>
                          {p.updatedBy ? ` by ${p.updatedBy.displayName}` : ''}
                        </Text>
                      ) : (
                        <Text c="dimmed" fz="sm">
                          Default
                        </Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </ScrollTable>
            <Group>
              <Button type="submit" loading={save.isPending} disabled={!changed}>
                Save periods
              </Button>
              {changed ? (
                <Button variant="subtle" onClick={() => setDraft(Object.fromEntries(items.map((p) => [p.kind, String(p.value)])))}>
                  Discard changes
                </Button>
              ) : null}
            </Group>
          </Stack>
        </form>
      )}
    </Section>
  );
}
