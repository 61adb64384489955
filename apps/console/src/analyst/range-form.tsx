import { useState } from 'preact/hooks';
import { useAnalystText } from './analyst.messages';

/** A range of business dates and an optional record-time bound. */
export interface DateRange {
  from: string;
  to: string;
  knownAt?: string;
}

/** The range form: from, to and known-at dates; the range changes only when submitted. */
export function RangeForm(props: { value: DateRange; onChange: (range: DateRange) => void; id: string }) {
  const { a } = useAnalystText();
  const [draft, setDraft] = useState(props.value);
  return (
    <form
      class="range"
      onSubmit={(e) => {
        e.preventDefault();
        props.onChange({ ...draft, knownAt: draft.knownAt || undefined });
      }}
    >
      <div>
        <label for={`${props.id}-from`}>{a('an.from')}</label>
        <input
          id={`${props.id}-from`}
          type="date"
          required
          value={draft.from}
          onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })}
        />
      </div>
      <div>
        <label for={`${props.id}-to`}>{a('an.to')}</label>
        <input
          id={`${props.id}-to`}
          type="date"
          required
          value={draft.to}
          onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })}
        />
      </div>
      <div>
        <label for={`${props.id}-known`}>{a('an.knownAt')}</label>
        <input
          id={`${props.id}-known`}
          type="date"
          value={draft.knownAt ?? ''}
          onInput={(e) => setDraft({ ...draft, knownAt: e.currentTarget.value })}
        />
      </div>
      <button type="submit">{a('an.show')}</button>
      <p class="muted small">{a('an.rangeNote')}</p>
    </form>
  );
}
