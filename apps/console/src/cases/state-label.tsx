/** A case state as a small badge (`blocked · enforced`); colour is never the only cue: the text says it. */
export function StateBadge(props: { state: string | null; substate?: string | null }) {
  if (!props.state) return <span class="badge">—</span>;
  return (
    <span class={`badge state-${props.state}`}>
      {props.state}
      {props.substate ? ` · ${props.substate}` : ''}
    </span>
  );
}
