// Pages of the navigation that the console does not have yet: an honest
// statement and where to go instead, never sample data.
import { Link } from "react-router-dom";

export function NotBuiltPage({ title, what, notFound = false }: { title: string; what: string; notFound?: boolean }) {
  return (
    <section className="page">
      <h1>{title}</h1>
      <div className="empty">
        {notFound ? (
          <p>There is no page at this address.</p>
        ) : (
          <>
            <p>
              <strong>This page is not built yet.</strong> It will show {what}.
            </p>
            <p>The REST API already serves this data (/api/v1/openapi.json lists it).</p>
          </>
        )}
        <p>
          Built so far: <Link to="/problems">Problems</Link> and <Link to="/hosts">Hosts</Link>.
        </p>
      </div>
    </section>
  );
}
