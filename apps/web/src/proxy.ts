import { NextResponse, type NextRequest } from 'next/server';
import { SESSION_COOKIE } from '@segmenta/contracts';

// Runs before every page and API request: a strict Content Security Policy with a fresh nonce for
// Next's own scripts, and a redirect to sign-in for page visits that carry no session at all (the
// session itself is checked on the server by each page and route; API routes answer 401 themselves).

const PUBLIC_PAGES = ['/sign-in'];

function csp(nonce: string, https: boolean): string {
  return [
    "default-src 'self'",
    // 'wasm-unsafe-eval': TensorFlow.js runs WebAssembly in the browser; no JavaScript eval is allowed.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic' 'wasm-unsafe-eval'${process.env.NODE_ENV === 'development' ? " 'unsafe-eval'" : ''}`,
    // React's style={...} props are inline style attributes, which nonces cannot cover.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const signedIn = request.cookies.has(SESSION_COOKIE) || request.headers.has('authorization');
  if (!signedIn && !PUBLIC_PAGES.includes(pathname)) {
    const to = new URL('/sign-in', request.url);
    to.searchParams.set('next', pathname + search);
    return NextResponse.redirect(to);
  }
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const policy = csp(nonce, request.nextUrl.protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https');
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

export const config = {
  // API routes are left out: they authenticate themselves, and a proxy in front of them would buffer
  // (and cap at 10 MB) every upload body.
  matcher: [{ source: '/((?!api/|_next/static|_next/image|favicon.ico).*)', missing: [{ type: 'header', key: 'next-router-prefetch' }] }],
};
