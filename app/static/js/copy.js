// "Copy link" buttons: shown only where the browser can copy, and announced when done. Without
// JavaScript the link itself is printed in full, ready to select.
const status = document.createElement('p')
status.className = 'govuk-visually-hidden'
status.setAttribute('role', 'status')
document.body.append(status)

if (navigator.clipboard) {
  for (const button of document.querySelectorAll('button[data-copy]')) {
    button.hidden = false
    button.addEventListener('click', async () => {
      const link = document.getElementById(button.dataset.copy)
      await navigator.clipboard.writeText(link.textContent.trim())
      const label = button.firstChild
      label.textContent = 'Copied'
      status.textContent = 'Link copied'
      setTimeout(() => { label.textContent = 'Copy link' }, 2000)
    })
  }
}
