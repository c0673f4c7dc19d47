//! A call's time limit and its caller's signal, joined into one internal `AbortController`.
//!
//! Everything a call awaits is raced against it: a fetch is aborted by its signal, a token
//! callback or a backoff sleep is left behind as soon as the deadline passes. Dropping the
//! deadline clears its timer, removes its listener and aborts whatever is still in flight.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use js_sys::{Function, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use crate::Error;

#[wasm_bindgen]
extern "C" {
    // The global timers of every runtime (a number in browsers, an object in Node).
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
}

/// Why a call stopped before its work finished.
#[derive(Default)]
struct Stop {
    stopped: bool,
    wakers: Vec<Waker>,
}

impl Stop {
    fn fire(this: &RefCell<Stop>) {
        let wakers = {
            let mut s = this.borrow_mut();
            s.stopped = true;
            std::mem::take(&mut s.wakers)
        };
        for w in wakers {
            w.wake();
        }
    }
}

/// One call's deadline.
pub struct Deadline {
    timeout_ms: u32,
    ends_at: f64,
    controller: AbortController,
    user: Option<AbortSignal>,
    timed_out: Rc<Cell<bool>>,
    stop: Rc<RefCell<Stop>>,
    timer: JsValue,
    _on_timeout: Closure<dyn FnMut()>,
    on_abort: Option<Closure<dyn FnMut()>>,
}

/// An `Error` as the abort reason, so that every runtime rejects `fetch` with something readable.
fn abort(controller: &AbortController, why: &str) {
    if !controller.signal().aborted() {
        controller.abort_with_reason(&js_sys::Error::new(why));
    }
}

impl Deadline {
    /// Starts a deadline of `timeout_ms` joined with the caller's `signal`; a signal that is
    /// already aborted is `aborted` at once.
    pub fn new(timeout_ms: u32, signal: Option<AbortSignal>) -> Result<Deadline, Error> {
        if signal.as_ref().is_some_and(AbortSignal::aborted) {
            return Err(Error::aborted());
        }
        let controller = AbortController::new().map_err(|_| Error::network("AbortController is not available"))?;
        let stop = Rc::new(RefCell::new(Stop::default()));
        let timed_out = Rc::new(Cell::new(false));
        let on_timeout = {
            let (controller, stop, timed_out) = (controller.clone(), stop.clone(), timed_out.clone());
            Closure::<dyn FnMut()>::new(move || {
                timed_out.set(true);
                abort(&controller, "timeout");
                Stop::fire(&stop);
            })
        };
        let timer = set_timeout(on_timeout.as_ref().unchecked_ref(), f64::from(timeout_ms));
        let on_abort = signal.as_ref().map(|s| {
            let (controller, stop) = (controller.clone(), stop.clone());
            let f = Closure::<dyn FnMut()>::new(move || {
                abort(&controller, "aborted");
                Stop::fire(&stop);
            });
            let _ = s.add_event_listener_with_callback("abort", f.as_ref().unchecked_ref());
            f
        });
        Ok(Deadline {
            timeout_ms,
            ends_at: js_sys::Date::now() + f64::from(timeout_ms),
            controller,
            user: signal,
            timed_out,
            stop,
            timer,
            _on_timeout: on_timeout,
            on_abort,
        })
    }

    /// When the deadline passes (ms since the epoch).
    pub fn ends_at(&self) -> f64 {
        self.ends_at
    }

    /// The internal signal every fetch of the call carries.
    pub fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// Aborts whatever is still in flight under this deadline.
    pub fn cancel(&self) {
        abort(&self.controller, "cancelled");
        Stop::fire(&self.stop);
    }

    /// The error of a step that failed: the caller's abort and the deadline come before the
    /// runtime's own reason (`otherwise`).
    pub fn failure(&self, otherwise: impl FnOnce() -> Error) -> Error {
        if self.user.as_ref().is_some_and(AbortSignal::aborted) {
            Error::aborted()
        } else if self.timed_out.get() {
            Error::timeout(self.timeout_ms)
        } else {
            otherwise()
        }
    }

    /// The error for work the deadline left behind.
    fn stopped(&self) -> Error {
        self.failure(|| Error::network("cancelled"))
    }

    /// Awaits `work`, or fails as soon as the deadline passes or the caller aborts.
    pub async fn race<F: Future>(&self, work: F) -> Result<F::Output, Error> {
        Race { work: Box::pin(work), stop: &self.stop }.await.ok_or_else(|| self.stopped())
    }

    /// Awaits a JS promise within the deadline: `Ok(Err(reason))` when it rejects.
    pub async fn promise(&self, p: Promise) -> Result<Result<JsValue, JsValue>, Error> {
        self.race(JsFuture::from(p)).await
    }

    /// Waits `ms`, or fails when the deadline passes first.
    pub async fn sleep(&self, ms: u32) -> Result<(), Error> {
        self.race(Sleep::new(ms)).await
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        clear_timeout(&self.timer);
        if let (Some(s), Some(f)) = (&self.user, &self.on_abort) {
            let _ = s.remove_event_listener_with_callback("abort", f.as_ref().unchecked_ref());
        }
        // A call given up on takes its fetches with it.
        abort(&self.controller, "cancelled");
    }
}

/// `work`, unless the stop fires first (`None`).
struct Race<'a, F: Future> {
    work: Pin<Box<F>>,
    stop: &'a RefCell<Stop>,
}

impl<F: Future> Future for Race<'_, F> {
    type Output = Option<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.stop.borrow().stopped {
            return Poll::Ready(None);
        }
        if let Poll::Ready(v) = self.work.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        let mut stop = self.stop.borrow_mut();
        if !stop.wakers.iter().any(|w| w.will_wake(cx.waker())) {
            stop.wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// A timer as a future; dropping it clears the timer.
pub struct Sleep {
    done: Rc<RefCell<(bool, Option<Waker>)>>,
    timer: JsValue,
    _handler: Closure<dyn FnMut()>,
}

impl Sleep {
    /// Fires after `ms` milliseconds.
    pub fn new(ms: u32) -> Sleep {
        let done = Rc::new(RefCell::new((false, None::<Waker>)));
        let handler = {
            let done = done.clone();
            Closure::<dyn FnMut()>::new(move || {
                let waker = {
                    let mut d = done.borrow_mut();
                    d.0 = true;
                    d.1.take()
                };
                if let Some(w) = waker {
                    w.wake();
                }
            })
        };
        let timer = set_timeout(handler.as_ref().unchecked_ref(), f64::from(ms));
        Sleep { done, timer, _handler: handler }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut d = self.done.borrow_mut();
        if d.0 {
            Poll::Ready(())
        } else {
            d.1 = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        clear_timeout(&self.timer);
    }
}

/// Runs futures side by side and gives their outputs in order; the first `Err` ends the whole
/// join at once (the others are dropped, and with them their fetches).
pub async fn try_join_all<T, E>(futures: Vec<Pin<Box<dyn Future<Output = Result<T, E>> + '_>>>) -> Result<Vec<T>, E> {
    let out = futures.iter().map(|_| None).collect();
    TryJoin { futures: futures.into_iter().map(Some).collect(), out }.await
}

type Slot<'a, T, E> = Option<Pin<Box<dyn Future<Output = Result<T, E>> + 'a>>>;

struct TryJoin<'a, T, E> {
    futures: Vec<Slot<'a, T, E>>,
    out: Vec<Option<T>>,
}

// Its fields are never pinned in place: the futures are boxed.
impl<T, E> Unpin for TryJoin<'_, T, E> {}

impl<T, E> Future for TryJoin<'_, T, E> {
    type Output = Result<Vec<T>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        for (slot, out) in this.futures.iter_mut().zip(this.out.iter_mut()) {
            let Some(f) = slot else { continue };
            if let Poll::Ready(r) = f.as_mut().poll(cx) {
                *slot = None;
                match r {
                    Ok(v) => *out = Some(v),
                    Err(e) => return Poll::Ready(Err(e)),
                }
            }
        }
        if this.futures.iter().all(Option::is_none) {
            return Poll::Ready(Ok(this.out.iter_mut().filter_map(Option::take).collect()));
        }
        Poll::Pending
    }
}
