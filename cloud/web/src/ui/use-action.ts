import { useState } from 'preact/hooks';

/**
 * A form's request: `busy` while `run`'s work is under way (to disable its button), `failure` what it threw, kept
 * until the next run or `forget`. The caller words the failure (a refusal, a wrong login) where it shows it.
 */
export function useAction(): {
  busy: boolean;
  failure: Error | undefined;
  run: (work: () => Promise<void>) => Promise<void>;
  forget: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Error | undefined>();
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setFailure(undefined);
    try {
      await work();
    } catch (error) {
      setFailure(error as Error);
    } finally {
      setBusy(false);
    }
  };
  return { busy, failure, run, forget: () => setFailure(undefined) };
}
