// An address the console has no page for: says so and offers the way back,
// rather than a blank screen.
import { Link } from "react-router-dom";

export function NotFoundPage() {
  return (
    <section className="page">
      <h1>Not found</h1>
      <div className="empty">
        <p>There is no page at this address.</p>
        <p>
          Start from the <Link to="/overview">Overview</Link> or the <Link to="/problems">Problems</Link>.
        </p>
      </div>
    </section>
  );
}
