// A report's page asks every few seconds whether the report is ready and, when it is, shows the
// download in place (announced by the live region). Without JavaScript the page has a link
// to check again, so nothing depends on this script.
const region = document.getElementById('job-status')

function showScripted (root) {
  for (const node of root.querySelectorAll('[data-without-script]')) node.hidden = true
  for (const node of root.querySelectorAll('[data-with-script]')) node.classList.remove('govuk-!-display-none')
}

async function check () {
  const response = await fetch(window.location.href, { headers: { Accept: 'text/html' }, cache: 'no-store' })
  if (!response.ok) return true
  const page = new DOMParser().parseFromString(await response.text(), 'text/html')
  const fresh = page.getElementById('job-status')
  if (!fresh) return true
  if (fresh.dataset.finished === 'true') {
    region.innerHTML = fresh.innerHTML
    region.dataset.finished = 'true'
    document.title = page.title
    return false
  }
  region.querySelector('p').innerHTML = fresh.querySelector('p').innerHTML
  return true
}

if (region && region.dataset.finished === 'false') {
  showScripted(region)
  const every = Number(region.dataset.checkEvery || 3) * 1000
  const again = async () => {
    let goOn = true
    try { goOn = await check() } catch { goOn = true }
    if (goOn) setTimeout(again, every)
  }
  setTimeout(again, every)
}
