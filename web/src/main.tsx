// The Warden web console: routes, session and theme. Pages fetch their own
// data through src/api/client.ts.
import { StrictMode, Suspense, lazy } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router-dom";
import { SessionProvider, useSession } from "./session";
import { Layout } from "./pages/Layout";
import { LoginPage } from "./pages/LoginPage";
import { ChangePasswordPage } from "./pages/ChangePasswordPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { ProblemsPage } from "./pages/ProblemsPage";
import { HostsPage } from "./pages/HostsPage";
import { HostPage } from "./pages/HostPage";
import { RecipesPage } from "./pages/RecipesPage";
import { RecipePage } from "./pages/RecipePage";
import { CloudPage } from "./pages/CloudPage";
import { CloudOrganisationPage } from "./pages/CloudOrganisationPage";
import { CloudAccountPage } from "./pages/CloudAccountPage";
import { SettingsPage } from "./pages/SettingsPage";
import { ChannelsPage } from "./pages/ChannelsPage";
import { VulnerabilitiesPage } from "./pages/VulnerabilitiesPage";
import { CvePage } from "./pages/CvePage";
import { OverviewPage } from "./pages/OverviewPage";
import { applyTheme, initialTheme } from "./theme";
import "./styles.css";

const QueriesPage = lazy(() => import("./pages/queries/QueriesPage"));

function RequireSession({ children }: { children: JSX.Element }) {
  const { session, loading } = useSession();
  const location = useLocation();
  if (loading) return <p className="loading">Loading…</p>;
  if (!session) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  if (session.must_change_password) return <ChangePasswordPage />;
  return children;
}

function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireSession>
            <Layout />
          </RequireSession>
        }
      >
        <Route index element={<Navigate to="/overview" replace />} />
        <Route path="overview" element={<OverviewPage />} />
        <Route path="problems" element={<ProblemsPage />} />
        <Route path="hosts" element={<HostsPage />} />
        <Route path="hosts/:hostId" element={<HostPage />} />
        <Route path="vulnerabilities" element={<VulnerabilitiesPage />} />
        <Route path="vulnerabilities/:cve" element={<CvePage />} />
        <Route path="queries" element={<Suspense fallback={<p className="loading">Loading…</p>}><QueriesPage /></Suspense>} />
        <Route path="recipes" element={<RecipesPage />} />
        <Route path="recipes/:recipeId" element={<RecipePage />} />
        <Route path="cloud" element={<CloudPage />} />
        <Route path="cloud/organisations/:organisationId" element={<CloudOrganisationPage />} />
        <Route path="cloud/accounts/:accountId" element={<CloudAccountPage />} />
        <Route path="channels" element={<ChannelsPage />} />
        <Route path="settings" element={<SettingsPage />} />
        <Route path="settings/:tab" element={<SettingsPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

applyTheme(initialTheme());
createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <BrowserRouter>
      <SessionProvider>
        <App />
      </SessionProvider>
    </BrowserRouter>
  </StrictMode>,
);
