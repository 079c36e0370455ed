//! The typed messages that cross extension contexts. The page's messages come in as
//! [`PageRequest`] and leave as [`PageMessage`]; the trusted UI talks to the background with
//! [`UiRequest`] / [`UiResponse`] wrapped in an [`Envelope`] that pairs answers with questions.
//!
//! One file per side of the conversation, all re-exported here (`protocol::X` whichever file
//! holds it):
//!
//! - `page`: the page's requests, the background's answers and provider events;
//! - `ui`: the UI's requests and answers, the envelope, and the inputs the UI sends;
//! - `views`: the view models the answers carry (approval window, home, sessions, activity,
//!   passkeys), which the UI only renders.
//!
//! `ui` uses `views`; `page` stands alone.

mod page;
mod ui;
mod views;

pub use page::{PageMessage, PageRequest, ProviderEvent};
pub use ui::{Envelope, NetworkInput, SignedChallenge, UiRequest, UiResponse};
pub use views::{
    ActivityStatus, ActivityView, ApprovalView, CallView, HomeView, ModuleChangeView, ModuleView,
    NetworkSource, NetworkView, OperationView, PasskeyView, PermitView, RecoveringView,
    RecoveryAlert, RecoveryCodeView, RecoveryRequestView, RecoveryView, RequestView,
    SessionStatusView, SessionView, SignInView, SigningRequest, SiteView, TokenView,
};
