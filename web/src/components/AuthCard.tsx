import type { ReactNode } from 'react';
import { Box, Center, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { PRODUCT_NAME } from '../app/brand.js';
import { BrandMark } from './BrandMark.js';

/** Centered card layout for the signed-out pages (sign-in, setup). */
export function AuthCard({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  useDocumentTitle(`${title} · ${PRODUCT_NAME}`);
  return (
    <Box component="main" mih="100dvh" bg="gray.0">
      <Center mih="100dvh" p="md">
        <Stack w="100%" maw={420} gap="lg">
          <Group gap="xs" justify="center">
            <BrandMark size={28} />
            <Text fw={700} fz="lg">
              {PRODUCT_NAME}
            </Text>
          </Group>
          <Paper withBorder shadow="sm" radius="md" p="xl">
            <Stack gap="xs" mb="lg">
              <Title order={1} fz="h3">
                {title}
              </Title>
              {description ? (
                <Text c="dimmed" fz="sm">
                  {description}
                </Text>
              ) : null}
            </Stack>
            {children}
          </Paper>
        </Stack>
      </Center>
    </Box>
  );
}
