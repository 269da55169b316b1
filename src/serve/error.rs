//! The API's error responses: `{"error": {"kind", "message", "position"}}` with 400
//! for a bad query, date or parameter, 404 for an unknown id or path, 405 for a method
//! other than GET, and 500 only for failures that are not the request's fault (the
//! index cannot be read).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::Error;

/// What went wrong, as the `kind` of the error object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The query does not parse, or is over a limit; `position` points into `q`.
    Query,
    /// `from` or `to` is not a date, or the range is empty.
    Date,
    /// A parameter is unknown, missing, repeated or out of range.
    Parameter,
    /// No document has that id or URL, or no such path.
    NotFound,
    /// Only GET is served.
    Method,
    /// The index cannot be read; not the request's fault.
    Internal,
}

/// An error response.
#[derive(Debug)]
pub struct ApiError {
    pub kind: Kind,
    pub message: String,
    /// Character offset (Unicode scalar values, from 0) into `q` of a query error.
    pub position: Option<usize>,
}

impl ApiError {
    pub fn new(kind: Kind, message: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            message: message.into(),
            position: None,
        }
    }

    pub fn parameter(message: impl Into<String>) -> ApiError {
        ApiError::new(Kind::Parameter, message)
    }

    fn status(&self) -> StatusCode {
        match self.kind {
            Kind::Query | Kind::Date | Kind::Parameter => StatusCode::BAD_REQUEST,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::Method => StatusCode::METHOD_NOT_ALLOWED,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        match e {
            Error::Query {
                query,
                pos,
                message,
            } => ApiError {
                kind: Kind::Query,
                message,
                position: Some(query.char_indices().take_while(|(i, _)| *i < pos).count()),
            },
            Error::User(m) => ApiError::parameter(m),
            other => {
                eprintln!("coindex: request failed: {}", other.chain());
                ApiError::new(Kind::Internal, other.chain())
            }
        }
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    kind: Kind,
    message: &'a str,
    position: Option<usize>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                kind: self.kind,
                message: &self.message,
                position: self.position,
            },
        };
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        super::json_response(self.status(), bytes)
    }
}
