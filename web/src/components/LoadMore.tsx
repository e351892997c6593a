import { Alert, Button, Center, Stack } from '@mantine/core';
import { errorMessage } from '../lib/api.js';

/** The "Load more" button under a keyset-paginated list, and the error when the next page failed. */
export function LoadMore({
  query,
}: {
  query: {
    hasNextPage: boolean;
    isFetchingNextPage: boolean;
    isFetchNextPageError: boolean;
    error: unknown;
    fetchNextPage: () => Promise<unknown>;
  };
}) {
  if (!query.hasNextPage && !query.isFetchNextPageError) return null;
  return (
    <Stack gap="sm" mt="md">
      {query.isFetchNextPageError ? (
        <Alert color="red" variant="light" role="alert">
          {errorMessage(query.error)}
        </Alert>
      ) : null}
      {query.hasNextPage ? (
        <Center>
          <Button variant="default" onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
            Load more
          </Button>
        </Center>
      ) : null}
    </Stack>
  );
}
