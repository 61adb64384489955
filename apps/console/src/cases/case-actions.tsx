import { useState } from 'preact/hooks';
import { SanksiApiError } from '@sanksi/client';
import type { Statechart } from '../api/sanksi-api';
import { ErrorNote } from '../app/status';
import { mayIssueCommands, useSession } from '../auth/session';
import { useI18n } from '../i18n/i18n';
import { nextEvents } from '../statechart/statechart-path';
import { commandBody, formsFor, type CommandForm } from './command-forms';

function ActionForm(props: {
  pseId: string;
  form: CommandForm;
  version: number;
  fineIds: readonly string[];
  onDone: () => void;
}) {
  const { t } = useI18n();
  const { api, role } = useSession();
  const [values, setValues] = useState<Record<string, string | boolean>>({});
  const [problem, setProblem] = useState<Error | null>(null);
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);
  const id = (name: string) => `${props.form.command}-${name}`;
  const set = (name: string, value: string | boolean) => setValues((v) => ({ ...v, [name]: value }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    setConflict(false);
    const { body, fineId } = commandBody(props.form, values);
    try {
      await api.command(props.form.operation, { pseId: props.pseId, fineId }, body, props.version);
      setValues({});
      props.onDone();
    } catch (caught) {
      if (caught instanceof SanksiApiError && caught.status === 412) {
        setConflict(true);
        props.onDone();
      } else setProblem(caught as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <details class="command-form" data-command={props.form.command}>
      <summary>{props.form.command}</summary>
      <form onSubmit={submit}>
        {props.form.fields
          .filter((f) => f.kind !== 'checkbox' || role === 'admin')
          .map((f) => (
            <div key={f.name}>
              {f.kind === 'checkbox' ? (
                <label>
                  <input
                    type="checkbox"
                    checked={values[f.name] === true}
                    onChange={(e) => set(f.name, (e.target as HTMLInputElement).checked)}
                  />{' '}
                  {t(f.label)}
                </label>
              ) : (
                <>
                  <label for={id(f.name)}>{t(f.label)}</label>
                  {f.kind === 'select' || f.kind === 'fine' ? (
                    <select
                      id={id(f.name)}
                      required={f.required}
                      value={String(values[f.name] ?? '')}
                      onChange={(e) => set(f.name, (e.target as HTMLSelectElement).value)}
                    >
                      <option value="">—</option>
                      {(f.kind === 'fine' ? props.fineIds : (f.options ?? [])).map((o) => (
                        <option key={o} value={o}>
                          {o}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <input
                      id={id(f.name)}
                      type={f.kind === 'datetime' ? 'datetime-local' : 'text'}
                      inputMode={f.kind === 'amount' ? 'numeric' : undefined}
                      required={f.required}
                      value={String(values[f.name] ?? '')}
                      onInput={(e) => set(f.name, (e.target as HTMLInputElement).value)}
                    />
                  )}
                </>
              )}
            </div>
          ))}
        <div>
          <label for={id('occurredAt')}>{t('field.occurredAt')}</label>
          <input
            id={id('occurredAt')}
            type="datetime-local"
            value={String(values.occurredAt ?? '')}
            onInput={(e) => set('occurredAt', (e.target as HTMLInputElement).value)}
          />
        </div>
        <div>
          <button type="submit" disabled={busy}>
            {t('case.actionSubmit')}: {props.form.command}
          </button>
        </div>
        {conflict && (
          <div role="alert" class="error" data-testid="conflict">
            <strong>412</strong>
            <p>{t('case.conflict')}</p>
          </div>
        )}
        {problem && (
          <div data-testid="refusal">
            <p class="small">{t('case.refused')}</p>
            <ErrorNote error={problem} />
          </div>
        )}
      </form>
    </details>
  );
}

/**
 * Forms for the steps the machine could take next from the case's state (never others); the server
 * still decides: a refusal is shown with its reason, a 412 says someone else acted first.
 */
export function CaseActions(props: {
  pseId: string;
  chart: Statechart;
  current: string;
  version: number;
  fineIds: readonly string[];
  onDone: () => void;
}) {
  const { t } = useI18n();
  const { role } = useSession();
  if (!mayIssueCommands(role)) return <p>{t('case.actionsReadOnly')}</p>;
  const forms = formsFor(nextEvents(props.chart, props.current), props.fineIds.length > 0);
  if (forms.length === 0) return <p>{t('case.actionsNone')}</p>;
  return (
    <div>
      {forms.map((form) => (
        <ActionForm
          key={form.command}
          pseId={props.pseId}
          form={form}
          version={props.version}
          fineIds={props.fineIds}
          onDone={props.onDone}
        />
      ))}
    </div>
  );
}
