import { useState } from 'preact/hooks';
import { ErrorNote } from '../app/status';
import { useSession } from '../auth/session';
import { useI18n } from '../i18n/i18n';
import { verifyEvidence, type EvidenceCheck } from './evidence-verify';

/** The signed evidence pack: download it, and check it here against the key the server publishes. */
export function CaseEvidence(props: { pseId: string }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [check, setCheck] = useState<EvidenceCheck | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  const download = async () => {
    setError(null);
    try {
      const pack = await api.evidence(props.pseId);
      const url = URL.createObjectURL(
        new Blob([JSON.stringify(pack, null, 2)], { type: 'application/json' }),
      );
      const a = document.createElement('a');
      a.href = url;
      a.download = `${props.pseId}.evidence.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (caught) {
      setError(caught as Error);
    }
  };
  const verify = async () => {
    setBusy(true);
    setError(null);
    try {
      const [pack, key] = await Promise.all([api.evidence(props.pseId), api.evidencePublicKey()]);
      setCheck(await verifyEvidence(pack, key.publicKey));
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      <div class="scrubber">
        <button type="button" onClick={download}>
          {t('case.evidenceDownload')}
        </button>
        <button type="button" class="secondary" onClick={verify} disabled={busy}>
          {t('case.evidenceVerify')}
        </button>
      </div>
      {error && <ErrorNote error={error} />}
      {check && (
        <div role="status" class={check.ok ? 'notice' : 'error'} data-testid="evidence-result">
          {check.ok ? (
            <>
              <strong>{t('case.evidenceValid')}</strong>
              <div class="small">
                {check.events} · <code>{check.headHash?.slice(0, 16)}</code>
              </div>
            </>
          ) : (
            <>
              <strong>{t('case.evidenceInvalid')}</strong>: {check.failure}
            </>
          )}
        </div>
      )}
    </div>
  );
}
