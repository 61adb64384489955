import { fireEvent, render, screen } from '@testing-library/preact';
import { App } from './app';

describe('the console shell', () => {
  beforeEach(() => {
    sessionStorage.clear();
    localStorage.clear();
    window.history.replaceState(null, '', '/console/');
  });

  it('given no key in this session, when the console opens, then it asks for one in Indonesian, with a skip link and a labelled field', () => {
    render(<App />);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Masuk');
    expect(screen.getByLabelText('Kunci API').getAttribute('type')).toBe('password');
    expect(screen.getByText('Langsung ke isi').getAttribute('href')).toBe('#main');
    expect(document.documentElement.lang).toBe('id');
    expect(screen.queryByRole('navigation')).toBeNull();
  });

  it('given the Indonesian console, when English is chosen, then the words, the page language and the remembered choice follow', () => {
    render(<App />);
    fireEvent.click(screen.getByRole('button', { name: 'English' }));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Sign in');
    expect(screen.getByLabelText('API key')).toBeTruthy();
    expect(document.documentElement.lang).toBe('en');
    expect(localStorage.getItem('sanksi.locale')).toBe('en');
    expect(screen.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('given an analyst key in this session, then the navigation shows what an analyst may open and the role', () => {
    sessionStorage.setItem('sanksi.apiKey', 'k');
    sessionStorage.setItem('sanksi.role', 'analyst');
    window.history.replaceState(null, '', '/console/nowhere');
    render(<App />);
    expect(screen.getByTestId('role').textContent).toContain('analis');
    const links = screen.getAllByRole('link').map((a) => a.textContent);
    expect(links).toEqual(expect.arrayContaining(['Kasus', 'Antrean eskalasi', 'Peristiwa langsung']));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Halaman tidak ditemukan');
  });

  it('given a service key, then case pages are not offered and a case link says the role may not open it', () => {
    sessionStorage.setItem('sanksi.apiKey', 'k');
    sessionStorage.setItem('sanksi.role', 'service');
    window.history.replaceState(null, '', '/console/cases/paypal');
    render(<App />);
    expect(screen.getAllByRole('link').map((a) => a.textContent)).not.toContain('Kasus');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe(
      'Peran Anda tidak dapat membuka halaman ini',
    );
  });
});
